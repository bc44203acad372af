import { useMutation, useQuery } from "convex/react";
import { useState } from "react";
import { api } from "../../../convex/_generated/api";
import { ErrorBoundary } from "../components/ErrorBoundary";
import { RoleBadge } from "../components/RoleBadge";
import { Empty, ErrorNotice, Loading } from "../components/States";
import { describeError } from "../lib/errors";
import { hrefFor, navigate } from "../lib/router";
import { ROLE_DESCRIPTIONS, withArticle } from "../lib/roles";
import { useAccount } from "../lib/workspace";

/** `#/join/<token>`, signed in: what the link invites to, and the button that joins. */
export function JoinScreen({ token }: { token: string }) {
  return (
    <section className="screen narrow" aria-label="Invitation" data-testid="join-screen">
      {token ? (
        // An unknown token is an error of the query: say it in words, not as a crash.
        <ErrorBoundary resetKey={token} fallback={(message) => <JoinProblem message={message} />}>
          <JoinPreview token={token} />
        </ErrorBoundary>
      ) : (
        <JoinProblem message="This invitation link is not complete: check that you copied all of it." />
      )}
    </section>
  );
}

function JoinProblem({ message }: { message: string }) {
  const { current } = useAccount();
  return (
    <Empty title="This invitation cannot be used" testId="join-problem">
      <p data-testid="join-problem-reason">{/[.!?]$/.test(message) ? message : `${message}.`}</p>
      <p className="muted small">Ask the workspace's owner for a new link.</p>
      {current && (
        <p>
          <a href={hrefFor({ name: "quotes" })}>Back to your quotes</a>
        </p>
      )}
    </Empty>
  );
}

function JoinPreview({ token }: { token: string }) {
  const { user, workspaces, current, select, announce } = useAccount();
  const preview = useQuery(api.invitations.preview, { token });
  const accept = useMutation(api.invitations.accept);
  const [joining, setJoining] = useState(false);
  const [error, setError] = useState<string>();

  // Once joined, the preview says "already used": keep showing the join in progress until the page moves on.
  if (joining) return <Loading label="Joining…" lines={2} />;
  if (preview === undefined) return <Loading label="Opening the invitation…" lines={2} />;

  if (preview.alreadyMember) {
    const mine = workspaces.filter((w) => w.name === preview.workspaceName);
    return (
      <Empty title={`You are already a member of “${preview.workspaceName}”`} testId="join-already-member">
        {mine.length === 1 ? (
          <button type="button" className="button-primary" data-testid="open-workspace"
            onClick={() => {
              select(mine[0]._id);
              navigate({ name: "quotes" });
            }}>
            Open “{preview.workspaceName}”
          </button>
        ) : (
          current && <a href={hrefFor({ name: "quotes" })}>Back to your quotes</a>
        )}
      </Empty>
    );
  }
  if (preview.problem) return <JoinProblem message={preview.problem} />;

  const onJoin = async () => {
    setJoining(true);
    setError(undefined);
    try {
      const workspaceId = await accept({ token });
      select(workspaceId);
      announce(`You joined “${preview.workspaceName}” as ${withArticle(preview.role)}.`, workspaceId);
      navigate({ name: "quotes" });
    } catch (e) {
      setError(describeError(e).message);
      setJoining(false);
    }
  };

  return (
    <div className="card join-card" data-testid="join-preview" data-role={preview.role}>
      <p className="muted small">Invitation</p>
      <h1 id="join-title" data-testid="join-title">
        Join “{preview.workspaceName}” as {withArticle(preview.role)}
      </h1>
      <p>
        <RoleBadge role={preview.role} /> A {preview.role} {ROLE_DESCRIPTIONS[preview.role]}.
      </p>
      <p className="muted small">
        You are signed in as <strong>{user.email}</strong>. The link works once, until{" "}
        {new Date(preview.expiresAt).toLocaleString()}.
      </p>
      {error && <ErrorNotice message={error} testId="join-error" />}
      <div className="join-actions">
        <button type="button" className="button-primary" onClick={onJoin} data-testid="join-workspace">
          Join “{preview.workspaceName}”
        </button>
        {current && (
          <a className="button-secondary" href={hrefFor({ name: "quotes" })}>
            Not now
          </a>
        )}
      </div>
    </div>
  );
}
