// The JSON the page reads: the REST API's shapes (docs/CONTRACT.md), only the fields the console shows.

export interface MasterJson {
  id: string;
  address: string;
  status: string;
  reachable: boolean;
}

export interface MediaNodeJson {
  id: string;
  status: string;
  reachable: boolean;
  publicAddress: string;
  load: {
    sessions: number;
    participants: number;
    streams: number;
    subscriptions: number;
    capacity: number;
    cpu: number;
  };
  lastReportAgeMs: number;
}

export interface HaPlanJson {
  mediaNodes: number;
  maxFailuresToTolerate: number;
  failuresToTolerate: number;
  overcommitted: boolean;
  protectedSessions: number;
  freeCapacity: number;
}

export interface ClusterJson {
  self: string;
  masters: MasterJson[];
  mediaNodes: MediaNodeJson[];
  routing: { sessions: number };
  haPlan: HaPlanJson;
}

export interface ConnectionJson {
  connectionId: string;
  status: string;
  role: string;
  createdAt: number;
  activeAt: number | null;
  platform: string | null;
  clientData: string | null;
  serverData: string;
  publishers: Array<{ streamId: string }>;
  subscribers: Array<{ streamId: string }>;
}

export interface SessionJson {
  sessionId: string;
  createdAt: number;
  mediaNodeId: string;
  priority: string;
  mediaMode: string;
  recordingMode: string;
  connections: { numberOfElements: number; content: ConnectionJson[] };
}

export interface Page<T> {
  numberOfElements: number;
  content: T[];
}

export function activeParticipants(s: SessionJson): number {
  return s.connections.content.filter((c) => c.status === 'active').length;
}

export function streams(s: SessionJson): number {
  return s.connections.content.reduce((n, c) => n + (c.publishers?.length ?? 0), 0);
}
