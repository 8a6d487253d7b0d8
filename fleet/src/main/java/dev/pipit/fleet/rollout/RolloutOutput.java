package dev.pipit.fleet.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pipit.protocol.v1.RolloutState;
import java.io.PrintWriter;

/** What the rollout commands print on stdout: a summary and the devices that need a look, or one JSON document. */
final class RolloutOutput {

    private RolloutOutput() {
    }

    /** @return the exit status: 0 when the rollout completed */
    static int print(RolloutState end, boolean json, PrintWriter out) throws JsonProcessingException {
        RolloutSummary s = RolloutSummary.of(end);
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(s));
        } else {
            out.println(s.line());
            if (s.haltReason() != null) {
                out.println("halted: " + s.haltReason());
            }
            for (RolloutSummary.DeviceOutcome d : s.devices()) {
                if (d.state().equals("FAILED")) {
                    out.println(d.id() + " (" + d.group() + "): failed: " + d.reason());
                }
                if ("FAILED".equals(d.rollback())) {
                    out.println(d.id() + " (" + d.group() + "): not rolled back: " + d.rollbackReason());
                }
            }
        }
        out.flush();
        return s.phase().equals("COMPLETED") ? 0 : 1;
    }
}
