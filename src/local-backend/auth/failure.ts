// Why a credential was refused, with the code and message Convex uses
// (ErrorMetadata in get-convex/convex-backend): HTTP answers `{ code, message }`
// with `status`; the sync protocol sends the message in an AuthError.
export class AuthFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** 401 (unauthenticated) or 400 (a malformed header, a provider that cannot be discovered). */
    readonly status: 400 | 401 = 401,
  ) {
    super(message);
    this.name = "AuthFailure";
  }
}
