import { ConvexError } from "convex/values";
import { describe, expect, test } from "vitest";
import { describeAuthError, suggestWorkspaceName, validateAuth, type AuthDraft } from "../../web/src/lib/auth";
import { hrefFor, invitationLink, parseHash } from "../../web/src/lib/router";
import { needsRole, roleAtLeast } from "../../web/src/lib/roles";
import { chooseWorkspace } from "../../web/src/lib/workspaceChoice";

// The dashboard's sign-in, workspace and role logic, checked without a browser.

const draft = (patch: Partial<AuthDraft> = {}): AuthDraft => ({
  email: "ada@acme.com",
  password: "long enough",
  name: "Ada",
  workspaceName: "Acme",
  ...patch,
});

describe("sign-in form", () => {
  test("a good draft has no errors, either way", () => {
    expect(validateAuth(draft(), "signIn", { withWorkspace: false })).toEqual({});
    expect(validateAuth(draft(), "signUp", { withWorkspace: true })).toEqual({});
  });

  test("each problem is named at its field", () => {
    const errors = validateAuth(draft({ email: "ada@", password: "short", name: " ", workspaceName: "" }), "signUp", {
      withWorkspace: true,
    });
    expect(errors.email).toMatch(/valid email/);
    expect(errors.password).toMatch(/at least 8/);
    expect(errors.name).toMatch(/your name/i);
    expect(errors.workspaceName).toMatch(/name your workspace/i);
  });

  test("signing in does not judge the password's length, and an invited sign-up needs no workspace", () => {
    expect(validateAuth(draft({ password: "short" }), "signIn", { withWorkspace: false })).toEqual({});
    expect(validateAuth(draft({ workspaceName: "" }), "signUp", { withWorkspace: false })).toEqual({});
  });

  test("the server's refusals become plain words at the right field", () => {
    const uncaught = (text: string) => new Error(`[CONVEX A(auth:signIn)] [Request ID: 1] Server Error\nUncaught Error: ${text}\n  at x`);
    expect(describeAuthError(uncaught("InvalidSecret"), "signIn")).toMatchObject({ field: "password", message: expect.stringMatching(/wrong password/i) });
    expect(describeAuthError(uncaught("InvalidAccountId"), "signIn")).toMatchObject({ field: "email", suggestSignUp: true });
    expect(describeAuthError(uncaught("Account ada@acme.com already exists"), "signUp")).toMatchObject({ field: "email", suggestSignIn: true });
    expect(describeAuthError(uncaught("TooManyFailedAttempts"), "signIn").message).toMatch(/wait/i);
    const convex = new ConvexError({ code: "INVALID_ARGUMENT", message: "Use a password of at least 8 characters", field: "password" });
    expect(describeAuthError(convex, "signUp")).toEqual({ field: "password", message: "Use a password of at least 8 characters." });
    expect(describeAuthError(uncaught("something odd"), "signUp").message).not.toMatch(/CONVEX|Request ID/);
  });

  test("the workspace name starts from the work email's company, else the person's name", () => {
    expect(suggestWorkspaceName("jo@acme.com", "Jo Bloggs")).toBe("Acme");
    expect(suggestWorkspaceName("jo@eu.north-wind.co.uk", "")).toBe("North Wind");
    expect(suggestWorkspaceName("jo@gmail.com", "Jo Bloggs")).toBe("Jo's workspace");
    expect(suggestWorkspaceName("", "")).toBe("My workspace");
  });
});

describe("workspaces and roles", () => {
  const a = { _id: "a", name: "Acme" };
  const b = { _id: "b", name: "Globex" };
  test("the stored workspace while it is still theirs, else the first, else none", () => {
    expect(chooseWorkspace([a, b], "b")).toBe(b);
    expect(chooseWorkspace([a, b], "gone")).toBe(a);
    expect(chooseWorkspace([a, b], null)).toBe(a);
    expect(chooseWorkspace([], "a")).toBeNull();
  });

  test("each role may do what the lower ones may, and says why not in words", () => {
    expect(roleAtLeast("owner", "buyer")).toBe(true);
    expect(roleAtLeast("buyer", "buyer")).toBe(true);
    expect(roleAtLeast("viewer", "buyer")).toBe(false);
    expect(needsRole("viewer", "buyer", "award")).toBe("Viewers can't award — ask an owner for the buyer role.");
  });

  test("invitation links and the members screen have routes", () => {
    expect(parseHash("#/members")).toEqual({ name: "members" });
    expect(parseHash("#/join/abc_DEF-123")).toEqual({ name: "join", token: "abc_DEF-123" });
    expect(parseHash("#/join")).toEqual({ name: "join", token: "" });
    expect(hrefFor({ name: "join", token: "t0k" })).toBe("#/join/t0k");
    expect(invitationLink({ origin: "http://127.0.0.1:3000", pathname: "/" }, "t0k")).toBe("http://127.0.0.1:3000/#/join/t0k");
  });
});
