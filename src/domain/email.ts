/** RFC 5321 caps a forward path at 256 octets, i.e. 254 characters of address. */
export const MAX_EMAIL_LENGTH = 254;

// Deliberately simple: one @, no whitespace, and a domain of at least two
// non-empty labels. The address is an identifier here, not a mailbox written
// to: deliverability is the sending platform's problem; this only stops
// obvious mistakes (`a@b`, `a@.b.c`, `a@b..c`).
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

/** The one email rule, for main accounts and subaccounts alike (code 22 otherwise). */
export function isValidEmail(email: string): boolean {
  return email.length <= MAX_EMAIL_LENGTH && EMAIL_SHAPE.test(email);
}
