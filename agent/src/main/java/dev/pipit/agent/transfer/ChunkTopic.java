package dev.pipit.agent.transfer;

import dev.pipit.protocol.topic.Topics;

/** A parsed chunk topic, {@code pipit/v1/models/{model}/{version}/{variant}/chunks/{index}}. */
public record ChunkTopic(String modelId, long version, String variantId, int index) {

    private static final String PREFIX = Topics.ROOT + "/models/";

    /** The chunk a topic names, or null if it is not a chunk topic. */
    public static ChunkTopic parse(String topic) {
        if (!topic.startsWith(PREFIX)) {
            return null;
        }
        String[] p = topic.substring(PREFIX.length()).split("/", -1);
        if (p.length != 5 || !p[3].equals("chunks")) {
            return null;
        }
        try {
            ChunkTopic t = new ChunkTopic(p[0], Long.parseLong(p[1]), p[2], Integer.parseInt(p[4]));
            return t.topic().equals(topic) ? t : null; // canonical form only ("007" is not chunk 7)
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public String topic() {
        return Topics.chunk(modelId, version, variantId, index);
    }
}
