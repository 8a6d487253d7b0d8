package dev.pipit.protocol.trust;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.protocol.v1.PublicKeyDef;
import dev.pipit.protocol.v1.RootMetadata;
import dev.pipit.protocol.v1.Signature;
import dev.pipit.protocol.v1.SignedRoot;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Root metadata files: {@code .json} (readable, for operators and version control) or anything else as
 * the binary SignedRoot (what travels to devices). The JSON holds the same fields; its signatures are
 * over the protobuf encoding of the {@code signed} object, rebuilt on reading, so an edited file fails
 * verification instead of meaning something else.
 */
public final class RootFiles {

    /** Root metadata is a few KiB; anything this large is not one. */
    static final int MAX_BYTES = 1 << 20;

    private RootFiles() {
    }

    /** A serialized SignedRoot from a .json or binary file (not verified). */
    public static byte[] read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new IOException(file + " has " + size + " bytes; root metadata is at most " + MAX_BYTES);
        }
        byte[] content = Files.readAllBytes(file);
        if (!looksLikeJson(content)) {
            return content;
        }
        try {
            return fromJson(new String(content, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not root metadata: " + e.getMessage(), e);
        }
    }

    /** Writes atomically: JSON for a {@code .json} name, the binary SignedRoot otherwise. */
    public static void write(Path file, byte[] signedRoot) throws IOException {
        byte[] content = file.getFileName().toString().endsWith(".json")
                ? toJson(signedRoot).getBytes(StandardCharsets.UTF_8) : signedRoot;
        writeAtomically(file, content);
    }

    /** tmp, fsync, rename: a crash leaves the old or the new file, never half of one. */
    static void writeAtomically(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(content));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static boolean looksLikeJson(byte[] content) {
        for (byte b : content) {
            if (b == '{') {
                return true;
            }
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return false;
    }

    public static String toJson(byte[] signedRoot) {
        SignedRoot s;
        RootMetadata m;
        try {
            s = SignedRoot.parseFrom(signedRoot);
            m = RootMetadata.parseFrom(s.getRoot());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not root metadata: " + e.getMessage(), e);
        }
        if (!m.toByteString().equals(s.getRoot()) || !m.getUnknownFields().asMap().isEmpty()) {
            throw new IllegalArgumentException("this root has fields JSON cannot carry; write it as a binary (.pb) file");
        }
        Base64.Encoder b64 = Base64.getEncoder();
        Map<String, Object> signed = new LinkedHashMap<>();
        signed.put("type", m.getType());
        signed.put("version", m.getVersion());
        signed.put("created", Instant.ofEpochMilli(m.getCreatedEpochMillis()).toString());
        signed.put("expires", Instant.ofEpochMilli(m.getExpiresEpochMillis()).toString());
        List<Object> keys = new ArrayList<>();
        for (PublicKeyDef k : m.getKeysList()) {
            keys.add(ordered("id", k.getKeyId(), "algorithm", k.getAlgorithm(), "public", b64.encodeToString(k.getX509().toByteArray())));
        }
        signed.put("keys", keys);
        signed.put("roles", ordered(
                "root", ordered("keys", List.copyOf(m.getRoot().getKeyIdsList()), "threshold", Integer.toUnsignedLong(m.getRoot().getThreshold())),
                "release", ordered("keys", List.copyOf(m.getRelease().getKeyIdsList()), "threshold",
                        Integer.toUnsignedLong(m.getRelease().getThreshold()))));
        signed.put("revoked", List.copyOf(m.getRevokedKeyIdsList()));
        List<Object> sigs = new ArrayList<>();
        for (Signature sig : s.getSignaturesList()) {
            sigs.add(ordered("key", sig.getKeyId(), "algorithm", sig.getAlgorithm(), "signature",
                    b64.encodeToString(sig.getSignature().toByteArray())));
        }
        return JsonText.print(ordered("signed", signed, "signatures", sigs));
    }

    public static byte[] fromJson(String json) {
        Map<String, Object> doc = object(JsonText.parse(json), "the document", Set.of("signed", "signatures"));
        Map<String, Object> signed = object(doc.get("signed"), "signed", Set.of("type", "version", "created", "expires",
                "keys", "roles", "revoked"));
        RootMetadata.Builder m = RootMetadata.newBuilder()
                .setType(text(signed, "type"))
                .setVersion(number(signed, "version"))
                .setCreatedEpochMillis(instant(signed, "created"))
                .setExpiresEpochMillis(instant(signed, "expires"));
        for (Object k : list(signed.get("keys"), "keys")) {
            Map<String, Object> key = object(k, "a key", Set.of("id", "algorithm", "public"));
            m.addKeys(PublicKeyDef.newBuilder().setKeyId(text(key, "id")).setAlgorithm(text(key, "algorithm"))
                    .setX509(ByteString.copyFrom(base64(key, "public"))));
        }
        Map<String, Object> roles = object(signed.get("roles"), "roles", Set.of("root", "release"));
        for (String name : List.of("root", "release")) {
            Map<String, Object> role = object(roles.get(name), "role " + name, Set.of("keys", "threshold"));
            dev.pipit.protocol.v1.Role.Builder r = name.equals("root") ? m.getRootBuilder() : m.getReleaseBuilder();
            for (Object id : list(role.get("keys"), name + " keys")) {
                r.addKeyIds(string(id, name + " key id"));
            }
            r.setThreshold(Math.toIntExact(Math.min(Integer.MAX_VALUE, number(role, "threshold"))));
        }
        for (Object id : list(signed.get("revoked"), "revoked")) {
            m.addRevokedKeyIds(string(id, "revoked key id"));
        }
        SignedRoot.Builder s = SignedRoot.newBuilder().setRoot(m.build().toByteString());
        for (Object o : list(doc.get("signatures"), "signatures")) {
            Map<String, Object> sig = object(o, "a signature", Set.of("key", "algorithm", "signature"));
            s.addSignatures(Signature.newBuilder().setKeyId(text(sig, "key")).setAlgorithm(text(sig, "algorithm"))
                    .setSignature(ByteString.copyFrom(base64(sig, "signature"))));
        }
        return s.build().toByteArray();
    }

    private static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o, String what, Set<String> allowed) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(what + " must be a JSON object");
        }
        for (Object key : m.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(what + " has unknown field \"" + key + "\"");
            }
        }
        for (String key : allowed) {
            if (!m.containsKey(key)) {
                throw new IllegalArgumentException(what + " lacks \"" + key + "\"");
            }
        }
        return (Map<String, Object>) m;
    }

    private static List<?> list(Object o, String what) {
        if (!(o instanceof List<?> l)) {
            throw new IllegalArgumentException(what + " must be a JSON array");
        }
        return l;
    }

    private static String string(Object o, String what) {
        if (!(o instanceof String s)) {
            throw new IllegalArgumentException(what + " must be a string");
        }
        return s;
    }

    private static String text(Map<String, Object> m, String key) {
        return string(m.get(key), "\"" + key + "\"");
    }

    private static long number(Map<String, Object> m, String key) {
        if (!(m.get(key) instanceof Long n) || n < 0) {
            throw new IllegalArgumentException("\"" + key + "\" must be a whole number, at least 0");
        }
        return n;
    }

    private static long instant(Map<String, Object> m, String key) {
        try {
            return Instant.parse(text(m, key)).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("\"" + key + "\" must be a time like 2027-01-31T00:00:00Z");
        }
    }

    private static byte[] base64(Map<String, Object> m, String key) {
        try {
            return Base64.getDecoder().decode(text(m, key));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + key + "\" is not base64");
        }
    }
}
