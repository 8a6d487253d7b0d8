package dev.pipit.agent.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.pipit.protocol.topic.Topics;
import org.junit.jupiter.api.Test;

class ChunkTopicTest {

    @Test
    void parse_chunkTopic_roundTrips() {
        String topic = Topics.chunk("fashion", 3, "int8", 12);

        assertEquals(new ChunkTopic("fashion", 3, "int8", 12), ChunkTopic.parse(topic));
        assertEquals(topic, ChunkTopic.parse(topic).topic());
    }

    @Test
    void parse_otherTopics_isNull() {
        assertNull(ChunkTopic.parse(Topics.manifest("fashion")));
        assertNull(ChunkTopic.parse("pipit/v1/models/fashion/3/int8/chunks/x"));
        assertNull(ChunkTopic.parse("pipit/v1/models/fashion/3/int8/chunks/-1"));
        assertNull(ChunkTopic.parse("pipit/v1/models/fashion/3/int8/chunks/007"));
        assertNull(ChunkTopic.parse("pipit/v1/models/fashion/3/int8/chunks/1/extra"));
        assertNull(ChunkTopic.parse("pipit/v1/devices/d1/status"));
    }
}
