/** The whole page while Parley finds out who is signed in; it fades in late, so a quick answer shows no flash. */
export function Splash({ label }: { label: string }) {
  return (
    <main className="splash" role="status" aria-live="polite" data-testid="splash">
      <span className="logo" aria-hidden="true">P</span>
      <p>{label}</p>
    </main>
  );
}
