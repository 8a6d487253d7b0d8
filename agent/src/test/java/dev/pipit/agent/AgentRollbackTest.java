package dev.pipit.agent;

import static dev.pipit.agent.testing.FleetSide.WAIT;
import static dev.pipit.agent.testing.FleetSide.serving;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.agent.testing.FleetSide;
import dev.pipit.agent.testing.SignedBundle;
import dev.pipit.agent.testing.TinyMlp;
import dev.pipit.profile.DeviceProfile;
import dev.pipit.protocol.v1.Activate;
import dev.pipit.protocol.v1.Command;
import dev.pipit.protocol.v1.CommandResult;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.ModelEvent;
import dev.pipit.protocol.v1.Rejection;
import dev.pipit.protocol.v1.ReportNow;
import dev.pipit.protocol.v1.Rollback;
import dev.pipit.protocol.v1.SetReportInterval;
import dev.pipit.runtime.graph.Graph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A/B slots in use: rollback and activate commands, and the rollback on start after a failed self-test. */
class AgentRollbackTest {

    private static final TinyMlp MLP = TinyMlp.random(5, 16, 8, 4);
    private static final Graph FP32 = MLP.fp32();
    private static final Graph INT8 = MLP.int8(MLP.inputs(2, 64));

    @TempDir
    Path dir;

    private FleetSide fleet;
    private Agent agent;

    @BeforeEach
    void startBroker() throws Exception {
        fleet = FleetSide.start(dir, false);
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        fleet.close();
    }

    private SignedBundle bundle(long version) {
        return SignedBundle.builder("tiny", version).variant("fp32", FP32, 0.90).variant("int8", INT8, 0.88)
                .golden(MLP.inputs(1, 4), 4).chunkBytes(64).build(fleet.key());
    }

    private static DeviceProfile profile(long budget) {
        return new DeviceProfile("test-device", "test device", 512L << 20, 2, "x86_64", Set.of(), budget, 100, 0.5);
    }

    private Agent start(DeviceProfile profile) throws Exception {
        agent = Agent.start(AgentConfig.of(fleet.url(), "pi-ab", profile, dir.resolve("pi-ab"), List.of(fleet.publicKey()))
                .withChunkWindow(3));
        return agent;
    }

    private CommandResult command(Command c) throws Exception {
        return fleet.command("pi-ab", c, WAIT);
    }

    /** The agent activates v1, then v2 (v1 its rollback target). */
    private DeviceStatus upgradedFromV1ToV2() throws Exception {
        bundle(1).publish(fleet.client());
        start(profile(1 << 20));
        fleet.awaitStatus("pi-ab", serving(1, "fp32"));
        bundle(2).publish(fleet.client());
        return fleet.awaitStatus("pi-ab", serving(2, "fp32"));
    }

    private static Command rollback(long fromVersion) {
        return Command.newBuilder().setRollback(Rollback.newBuilder().setExpectedVersion(fromVersion).setModelId("tiny"))
                .build();
    }

    private static Command activate(long version, String variant) {
        return Command.newBuilder().setActivate(Activate.newBuilder().setVersion(version).setVariant(variant)).build();
    }

    @Test
    void commands_rollbackThenActivate_switchBetweenTheSlotsAndReportEachChange() throws Exception {
        DeviceStatus upgraded = upgradedFromV1ToV2();
        assertEquals(1, upgraded.getRollbackTarget().getVersion());
        assertTrue(upgraded.getProbation());

        CommandResult back = command(rollback(2));

        assertEquals(CommandResult.Code.OK, back.getCode(), back.getReason());
        assertEquals("rolled back to tiny v1 fp32", back.getReason());
        DeviceStatus rolledBack = fleet.awaitStatus("pi-ab", x -> serving(1, "fp32").test(x) && x.hasRollbackTarget());
        assertEquals(2, rolledBack.getRollbackTarget().getVersion(), "a rollback can be undone");
        assertFalse(rolledBack.getProbation(), "the rollback target served before");
        ModelEvent event = fleet.awaitModelEvent("pi-ab", e -> e.getKind() == ModelEvent.Kind.ROLLED_BACK);
        assertEquals(1, event.getActive().getVersion());
        assertEquals(2, event.getPrevious().getVersion());
        assertEquals(1, fleet.infer("pi-ab", 1, MLP.inputs(3, 1)).getVersion());

        CommandResult notStoredVariant = command(activate(2, "int8"));
        CommandResult notStoredVersion = command(activate(3, "fp32"));
        CommandResult forward = command(activate(2, "fp32"));

        assertEquals(CommandResult.Code.REJECTED, notStoredVariant.getCode());
        assertEquals("variant int8 of tiny v2 is not stored here; stored: fp32", notStoredVariant.getReason());
        assertEquals(CommandResult.Code.REJECTED, notStoredVersion.getCode());
        assertEquals("version 3 is not stored here; stored: tiny v1 fp32; tiny v2 fp32", notStoredVersion.getReason());
        assertEquals(CommandResult.Code.OK, forward.getCode(), forward.getReason());
        DeviceStatus forwardAgain = fleet.awaitStatus("pi-ab", x -> serving(2, "fp32").test(x)
                && x.getLastEvent().getReason().equals("activated by command"));
        assertEquals(1, forwardAgain.getRollbackTarget().getVersion());
        assertEquals(2, fleet.infer("pi-ab", 1, MLP.inputs(3, 1)).getVersion());
        assertTrue(Files.exists(dir.resolve("pi-ab/slots/a/fp32.graph")) && Files.exists(dir.resolve("pi-ab/slots/b/fp32.graph")),
                "v1 and v2 in the two slots");
    }

    @Test
    void rollback_sentTwice_rollsBackOnceAndAnswersPreconditionFailed() throws Exception {
        upgradedFromV1ToV2();

        CommandResult first = command(rollback(2));
        CommandResult again = command(rollback(2));
        CommandResult otherModel = command(Command.newBuilder().setRollback(Rollback.newBuilder().setExpectedVersion(1)
                .setModelId("other")).build());

        assertEquals(CommandResult.Code.OK, first.getCode(), first.getReason());
        assertEquals(CommandResult.Code.PRECONDITION_FAILED, again.getCode(), again.getReason());
        assertEquals("serving tiny v1 fp32, not tiny v2 that the rollback expects", again.getReason());
        assertEquals(CommandResult.Code.PRECONDITION_FAILED, otherModel.getCode(), otherModel.getReason());
        assertEquals("serving tiny v1 fp32, not other v1 that the rollback expects", otherModel.getReason());
        DeviceStatus after = fleet.awaitStatus("pi-ab", x -> serving(1, "fp32").test(x) && x.hasRollbackTarget());
        assertEquals(2, after.getRollbackTarget().getVersion(), "still rolled back once, not toggled to v2");
        assertEquals(1, fleet.infer("pi-ab", 1, MLP.inputs(3, 1)).getVersion());
    }

    @Test
    void commands_setReportInterval_isAnsweredRecordedAndKeptAcrossARestart() throws Exception {
        bundle(1).publish(fleet.client());
        start(profile(1 << 20));
        long firstRun = fleet.awaitStatus("pi-ab", serving(1, "fp32")).getSequence();

        CommandResult r = command(Command.newBuilder().setSetReportInterval(SetReportInterval.newBuilder().setSeconds(7))
                .build());

        assertEquals(CommandResult.Code.OK, r.getCode());
        fleet.awaitStatus("pi-ab", s -> s.getReportIntervalSeconds() == 7);
        agent.close();
        start(profile(1 << 20));
        assertEquals(CommandResult.Code.OK, command(Command.newBuilder().setReportNow(ReportNow.getDefaultInstance())
                .build()).getCode());
        fleet.awaitStatus("pi-ab", s -> s.getOnline() && s.getSequence() > firstRun && s.getReportIntervalSeconds() == 7);
    }

    @Test
    void restore_activeModelDamagedOnDisk_rollsBackToThePreviousOneAndReportsIt() throws Exception {
        DeviceProfile small = profile(600); // int8 only
        bundle(1).publish(fleet.client());
        start(small);
        fleet.awaitStatus("pi-ab", serving(1, "int8"));
        bundle(2).publish(fleet.client());
        fleet.awaitStatus("pi-ab", serving(2, "int8"));
        agent.close();
        Path v2 = dir.resolve("pi-ab/slots/b/int8.graph");
        byte[] damaged = Files.readAllBytes(v2);
        damaged[damaged.length / 2] ^= 0x10; // a flash cell gave up
        Files.write(v2, damaged);

        start(small);

        assertEquals(1, agent.active().orElseThrow().getVersion(), "restored before any connection");
        Rejection r = fleet.awaitRejection("pi-ab", x -> x.getVersion() == 2);
        assertEquals("tiny v2 int8 fails its self-test on start (variant int8 payload fails its SHA-256); rolled back",
                r.getReason());
        ModelEvent e = fleet.awaitModelEvent("pi-ab", x -> x.getKind() == ModelEvent.Kind.ROLLED_BACK);
        assertEquals(1, e.getActive().getVersion());
        assertEquals(2, e.getPrevious().getVersion());
        assertEquals(1, fleet.infer("pi-ab", 1, MLP.inputs(4, 1)).getVersion());
        // v2's manifest is still retained: it is known and not fetched again
        command(Command.newBuilder().setReportNow(ReportNow.getDefaultInstance()).build());
        DeviceStatus s = fleet.awaitStatus("pi-ab", x -> x.getOnline() && x.getMemory().getTrigger().equals("request"));
        assertEquals(1, s.getActive().getVersion());
        assertFalse(s.hasRollbackTarget());
    }
}
