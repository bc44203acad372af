import { createContext, useContext, type ReactNode } from "react";

// What the dashboard knows about the deployment it was served by (/config.json):
// for now, where Mastra Studio runs when `npm start` started it.

export interface Deployment {
  /** Mastra Studio's address (loopback unless `npm start --host`); undefined when it is not running. */
  studioUrl?: string;
}

const DeploymentContext = createContext<Deployment>({});

export function DeploymentProvider({ value, children }: { value: Deployment; children: ReactNode }) {
  return <DeploymentContext.Provider value={value}>{children}</DeploymentContext.Provider>;
}

export const useDeployment = (): Deployment => useContext(DeploymentContext);
