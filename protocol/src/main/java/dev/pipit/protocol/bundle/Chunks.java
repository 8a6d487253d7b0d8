package dev.pipit.protocol.bundle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Splitting a payload into fixed-size chunks, and the SHA-256 that binds each. */
public final class Chunks {

    private Chunks() {
    }

    /** Chunks a payload of {@code payloadBytes} has: every chunk but the last is full. */
    public static int count(long payloadBytes, int chunkBytes) {
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("chunk size must be positive, was " + chunkBytes);
        }
        return Math.toIntExact((payloadBytes + chunkBytes - 1) / chunkBytes);
    }

    /** Size of chunk {@code index}. */
    public static int size(long payloadBytes, int chunkBytes, int index) {
        long start = (long) index * chunkBytes;
        if (index < 0 || start >= payloadBytes) {
            throw new IllegalArgumentException("chunk " + index + " is outside a payload of " + payloadBytes + " bytes");
        }
        return (int) Math.min(chunkBytes, payloadBytes - start);
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public static byte[] sha256(byte[] data, int offset, int length) {
        MessageDigest d = sha256();
        d.update(data, offset, length);
        return d.digest();
    }

    public static byte[] sha256(byte[] data) {
        return sha256(data, 0, data.length);
    }
}
