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
  /** While draining: the deadline (ISO instant) the node was given, known to every master. */
  drainDeadline?: string;
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
  publishers: PublisherJson[];
  subscribers: SubscriberJson[];
}

/** A published stream, as OpenVidu 2's REST shows it. */
export interface PublisherJson {
  streamId: string;
  createdAt: number;
  mediaOptions: {
    hasAudio: boolean;
    hasVideo: boolean;
    audioActive: boolean;
    videoActive: boolean;
    typeOfVideo: string | null;
    frameRate: number;
    videoDimensions: string | null;
  };
}

/** A stream a connection receives; {@code publisher} is the publishing connection. */
export interface SubscriberJson {
  streamId: string;
  createdAt: number;
  publisher: string;
}

export interface SessionJson {
  sessionId: string;
  createdAt: number;
  mediaNodeId: string;
  priority: string;
  mediaMode: string;
  recordingMode: string;
  /** Set when the session's media node did not describe its streams (the lists are then empty, not known). */
  mediaUnavailable?: string;
  connections: { numberOfElements: number; content: ConnectionJson[] };
}

export interface Page<T> {
  numberOfElements: number;
  content: T[];
}

export function activeParticipants(s: SessionJson): number {
  return s.connections.content.filter((c) => c.status === 'active').length;
}

/** Published streams in the session; null when its media node could not say. */
export function streams(s: SessionJson): number | null {
  if (s.mediaUnavailable) return null;
  return s.connections.content.reduce((n, c) => n + (c.publishers?.length ?? 0), 0);
}

/** Every published stream of the session with its publisher and how many connections receive it. */
export function streamList(s: SessionJson): Array<{ publisher: string; stream: PublisherJson; receivers: number }> {
  const receivers = new Map<string, number>();
  for (const c of s.connections.content) {
    for (const sub of c.subscribers ?? []) receivers.set(sub.streamId, (receivers.get(sub.streamId) ?? 0) + 1);
  }
  return s.connections.content.flatMap((c) =>
    (c.publishers ?? []).map((p) => ({ publisher: c.connectionId, stream: p, receivers: receivers.get(p.streamId) ?? 0 })),
  );
}
