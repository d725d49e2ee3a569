// The CLI's version, sent as the User-Agent and shown by `drover --version`.
export const VERSION = '0.1.0';
