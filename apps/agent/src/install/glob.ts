// Glob matching for appspec permissions (pattern / except): `*` and `?` stay within one path segment, `**`
// crosses segments, `[abc]` is a character class. A pattern without '/' matches the base name at any depth,
// so `*.sh` means "every .sh file below the object", as users of CodeDeploy expect.

export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const slash = pattern[i + 2] === '/';
        out += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

export function globMatch(pattern: string, relativePath: string): boolean {
  if (pattern === '**') return true;
  const subject = pattern.includes('/') ? relativePath : (relativePath.split('/').pop() ?? relativePath);
  return globToRegExp(pattern).test(subject);
}
