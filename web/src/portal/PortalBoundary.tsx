import { Component, type ReactNode } from "react";
import { ErrorNotice } from "../components/States";
import { hrefFor } from "../lib/router";
import { portalProblem, type ProblemContext } from "./problems";

/** A live query of the portal refused (a bad link, someone else's negotiation): the reason in words, and the way back. */
export class PortalBoundary extends Component<{ context: ProblemContext; children: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override render() {
    if (this.state.error === null) return this.props.children;
    return (
      <div className="card" data-testid="portal-problem">
        <ErrorNotice message={portalProblem(this.state.error, this.props.context)} testId="portal-error" />
        <p>
          <a href={hrefFor({ name: "supplierHome" })}>Back to your negotiations</a>
        </p>
      </div>
    );
  }
}
