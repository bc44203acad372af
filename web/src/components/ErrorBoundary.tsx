import { Component, type ReactNode } from "react";
import { describeError } from "../lib/errors";

interface Props {
  children: ReactNode;
  /** Changing it clears a caught error, e.g. when the route changes. */
  resetKey?: string;
  /** Replaces the default notice, for parts of a screen that can do without. */
  fallback?: (message: string) => ReactNode;
}

/** Live queries throw their errors during render; this shows them in words. */
export class ErrorBoundary extends Component<Props, { error: unknown; resetKey?: string }> {
  override state: { error: unknown; resetKey?: string } = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: { error: unknown; resetKey?: string }) {
    if (props.resetKey !== state.resetKey) return { error: null, resetKey: props.resetKey };
    return null;
  }

  override render() {
    if (this.state.error) {
      const problem = describeError(this.state.error);
      if (this.props.fallback) return this.props.fallback(problem.message);
      return (
        <div className="error-notice" role="alert" data-testid="error-boundary">
          <strong>This part of the page could not load.</strong> {problem.message}
          <div>
            <button type="button" className="button-secondary" onClick={() => this.setState({ error: null })}>
              Try again
            </button>
          </div>
        </div>
      );
    }
    return this.props.children;
  }
}
