import type { ReactNode } from "react";

/** The page of a person who is not (or no longer) signed in: Parley's mark, a title, and what to do. */
export function AuthCard({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <main className="auth-page" data-testid={testId}>
      <div className="auth-card card">
        <p className="auth-brand">
          <span className="logo" aria-hidden="true">P</span> <span className="brand-name">Parley</span>
        </p>
        <h1 className="auth-title">{title}</h1>
        {children}
      </div>
    </main>
  );
}
