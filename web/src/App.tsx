import { ErrorBoundary } from "./components/ErrorBoundary";
import { hrefFor, useRoute, type Route } from "./lib/router";
import { InsightsScreen } from "./screens/InsightsScreen";
import { NewQuoteScreen } from "./screens/NewQuoteScreen";
import { QuoteDetailScreen } from "./screens/QuoteDetailScreen";
import { QuotesScreen } from "./screens/QuotesScreen";
import { ConnectionBanner } from "./components/ConnectionBanner";

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case "quotes":
      return <QuotesScreen status={route.status} />;
    case "newQuote":
      return <NewQuoteScreen />;
    case "quote":
      return <QuoteDetailScreen quoteId={route.quoteId} />;
    case "insights":
      return <InsightsScreen />;
    case "notFound":
      return (
        <section className="screen">
          <h1>Page not found</h1>
          <p>
            There is nothing at <code>{route.path}</code>. <a href={hrefFor({ name: "quotes" })}>Back to quotes</a>
          </p>
        </section>
      );
  }
}

export function App() {
  const route = useRoute();
  const current = route.name === "quote" ? "quotes" : route.name;
  const link = (name: "quotes" | "newQuote" | "insights", label: string, testId: string) => (
    <a href={hrefFor({ name } as Route)} aria-current={current === name ? "page" : undefined} data-testid={testId}>
      {label}
    </a>
  );
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand-mark" href={hrefFor({ name: "quotes" })}>
          <span className="logo" aria-hidden="true">P</span> <span className="brand-name">Parley</span>
        </a>
        <nav aria-label="Main">
          {link("quotes", "Quotes", "nav-quotes")}
          {link("newQuote", "New quote", "nav-new-quote")}
          {link("insights", "Insights", "nav-insights")}
        </nav>
      </header>
      <ConnectionBanner />
      <main className="content">
        <ErrorBoundary resetKey={JSON.stringify(route)}>
          <Screen route={route} />
        </ErrorBoundary>
      </main>
    </div>
  );
}
