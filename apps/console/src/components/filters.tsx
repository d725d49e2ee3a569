// The controls above a list: one-of-several filter chips ("All / online / offline") and a search box.
import type { ReactNode } from 'react';

export interface ChipOption<K extends string> {
  value: K;
  label: ReactNode;
  count?: number;
}

/**
 * Toggle buttons with aria-pressed, each with an optional count, in a named group. Extra chips (a clearable filter set
 * elsewhere) can follow as children.
 */
export function FilterChips<K extends string>({
  label,
  options,
  value,
  onChange,
  children,
}: {
  /** The group's accessible name ("Filter by status"). */
  label: string;
  options: readonly ChipOption<K>[];
  value: K;
  onChange: (value: K) => void;
  children?: ReactNode;
}) {
  return (
    <div className="chips" role="group" aria-label={label}>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          className="chip"
          aria-pressed={value === o.value}
          onClick={() => onChange(o.value)}
        >
          {o.label}
          {o.count !== undefined ? <span className="count">{o.count}</span> : null}
        </button>
      ))}
      {children}
    </div>
  );
}

/** A search input whose label only screen readers hear (the placeholder shows what it matches). */
export function SearchBox({
  label,
  placeholder,
  value,
  onChange,
}: {
  label: string;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label>
      <span className="visually-hidden">{label}</span>
      <input type="search" placeholder={placeholder} value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}
