package io.tessera.client;

/**
 * The params of {@code publishVideo} (OpenVidu 2 names); {@link #camera(String)} gives the usual video-only values.
 *
 * @param sdpOffer      the publisher's SDP offer (for plain RTP: its own address and ports, {@code a=sendonly})
 * @param hasAudio      whether the stream carries audio
 * @param hasVideo      whether the stream carries video
 * @param audioActive   whether audio starts unmuted
 * @param videoActive   whether video starts unmuted
 * @param typeOfVideo   CAMERA, SCREEN, CUSTOM or IPCAM
 * @param frameRate     frames per second announced to subscribers
 * @param videoWidth    announced width in pixels (sent inside the stringified {@code videoDimensions})
 * @param videoHeight   announced height in pixels
 * @param doLoopback    whether the server should send the stream back to the publisher
 */
public record PublishOptions(String sdpOffer, boolean hasAudio, boolean hasVideo, boolean audioActive,
                             boolean videoActive, String typeOfVideo, int frameRate, int videoWidth, int videoHeight,
                             boolean doLoopback) {

    public PublishOptions {
        if (sdpOffer == null || sdpOffer.isBlank()) {
            throw new IllegalArgumentException("sdpOffer is empty");
        }
        if (typeOfVideo == null || typeOfVideo.isBlank()) {
            throw new IllegalArgumentException("typeOfVideo is empty");
        }
    }

    /** Video only, CAMERA, 30 fps, 640x480, no loopback. */
    public static PublishOptions camera(String sdpOffer) {
        return new PublishOptions(sdpOffer, false, true, false, true, "CAMERA", 30, 640, 480, false);
    }
}
