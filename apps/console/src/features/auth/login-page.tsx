import { useEffect, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useLogin } from '../../api/auth/mutations';
import { DroverApiError } from '@drover/client';
import { Field, fieldError, FormError, PasswordField, SubmitButton } from '../../components/form';

/** Only same-app paths are followed after log-in (never an absolute URL from the query string). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) return '/applications';
  return next;
}

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const login = useLogin();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const emailRef = useRef<HTMLInputElement>(null);
  useEffect(() => emailRef.current?.focus(), []);

  const error = login.error;
  const wrongCredentials = error instanceof DroverApiError && error.status === 401;
  return (
    <div className="login-page">
      <div className="card login-card">
        <h1>Drover</h1>
        <p className="muted">Log in to deploy, watch and roll back.</p>
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            login.mutate(
              { email, password },
              { onSuccess: () => void navigate(safeNext(params.get('next')), { replace: true }) },
            );
          }}
        >
          <Field label="Email" error={fieldError(error, 'email')}>
            {(p) => (
              <input
                {...p}
                ref={emailRef}
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            )}
          </Field>
          <PasswordField
            label="Password"
            purpose="current"
            error={fieldError(error, 'password')}
            value={password}
            onChange={setPassword}
          />
          {error ? (
            wrongCredentials ? (
              <div className="form-error" role="alert">
                {error.message || 'Wrong email or password.'}
              </div>
            ) : (
              <FormError error={error} shownFields={['email', 'password']} />
            )
          ) : null}
          <SubmitButton pending={login.isPending} pendingLabel="Logging in…">
            Log in
          </SubmitButton>
        </form>
      </div>
    </div>
  );
}
