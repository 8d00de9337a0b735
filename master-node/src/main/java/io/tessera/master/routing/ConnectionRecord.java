package io.tessera.master.routing;

import io.tessera.common.protocol.ClusterSerializable;

/**
 * A connection (OpenVidu's name for a participant slot) and its token, replicated between masters so that
 * a token created through one master is accepted by any other. {@code status} is a {@link Status} by its
 * OpenVidu name: {@code pending} until the participant joins, then {@code active}.
 */
public record ConnectionRecord(String connectionId, String sessionId, String token, long tokenExpiresAt,
                               String role, boolean record, String serverData, long createdAt, String status,
                               Long activeAt, String clientData, String platform, String ip)
        implements ClusterSerializable {

    /** OpenVidu's connection status. */
    public enum Status {
        PENDING("pending"), ACTIVE("active");

        private final String wireName;

        Status(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /** Whether its participant has joined. */
    public boolean active() {
        return Status.ACTIVE.wireName().equals(status);
    }

    /** Without the token: a record that ends up in a log line (or a dead-letter message) must not carry it. */
    @Override
    public String toString() {
        return "ConnectionRecord[" + connectionId + ", session " + sessionId + ", " + role + ", " + status + "]";
    }

    public ConnectionRecord activated(long at, String metadata, String platformName, String clientIp) {
        return new ConnectionRecord(connectionId, sessionId, token, tokenExpiresAt, role, record, serverData, createdAt,
                Status.ACTIVE.wireName(), at, metadata, platformName, clientIp);
    }

    public ConnectionRecord withRole(String newRole, boolean newRecord) {
        return new ConnectionRecord(connectionId, sessionId, token, tokenExpiresAt, newRole, newRecord, serverData,
                createdAt, status, activeAt, clientData, platform, ip);
    }
}
