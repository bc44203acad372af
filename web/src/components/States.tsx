import type { ReactNode } from "react";

export function Loading({ label = "Loading…", lines = 3 }: { label?: string; lines?: number }) {
  return (
    <div className="loading" role="status" aria-live="polite" data-testid="loading">
      <span className="visually-hidden">{label}</span>
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} className="skeleton" style={{ width: `${90 - i * 15}%` }} />
      ))}
    </div>
  );
}

export function Empty({ title, children, testId = "empty" }: { title: string; children?: ReactNode; testId?: string }) {
  return (
    <div className="empty" data-testid={testId}>
      <p className="empty-title">{title}</p>
      {children}
    </div>
  );
}

export function ErrorNotice({ message, testId = "error" }: { message: string; testId?: string }) {
  return (
    <div className="error-notice" role="alert" data-testid={testId}>
      {message}
    </div>
  );
}
