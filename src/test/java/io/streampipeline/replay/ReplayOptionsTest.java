package io.streampipeline.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.streampipeline.config.ConfigException;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.config.ReplayOptions;
import io.streampipeline.config.ReplayTimes;
import io.streampipeline.config.Role;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayOptionsTest {

  @Test
  void flagsBecomeOptions() {
    PipelineConfig c = ConfigLoader.load(Map.of(), new String[] {"--roles=replay-dlq", "--reason=constraint",
        "--since=2026-11-30T09:00:00Z", "--until=2026-11-30T11:00:00+01:00", "--partition=2", "--limit=50",
        "--dry-run", "--to-topic=other", "--again"});
    assertEquals(Set.of(Role.REPLAY_DLQ), c.roles());
    ReplayOptions o = c.replay();
    assertEquals("constraint", o.reasonContains());
    assertEquals(1_796_029_200_000L, o.sinceMs());
    assertEquals(1_796_032_800_000L, o.untilMs());
    assertEquals(2, o.partition());
    assertEquals(50, o.limit());
    assertTrue(o.dryRun());
    assertEquals("other", o.toTopic());
    assertTrue(o.again());
  }

  @Test
  void noFlagsMeansEverythingNotReplayedYetToTheInputTopic() {
    ReplayOptions o = ConfigLoader.load(Map.of(), new String[] {"--roles=replay-dlq"}).replay();
    assertEquals(ReplayOptions.all(), o);
    assertNull(ConfigLoader.load(Map.of(), new String[] {"--roles=pipeline"}).replay());
  }

  @Test
  void theEnvironmentDoesNotFilter() {
    ReplayOptions o = ConfigLoader.load(Map.of("LIMIT", "3", "REASON", "x", "DRY_RUN", "true"),
        new String[] {"--roles=replay-dlq"}).replay();
    assertEquals(ReplayOptions.all(), o);
  }

  @Test
  void timesWithoutOffsetAreUtcAndADateIsItsMidnight() {
    assertEquals(1_796_029_200_000L, ReplayTimes.parse("--since", "2026-11-30T09:00:00"));
    assertEquals(1_795_996_800_000L, ReplayTimes.parse("--since", "2026-11-30"));
    assertNull(ReplayTimes.parse("--since", null));
  }

  @Test
  void badFlagsAreOneLineNamingTheFlag() {
    assertBad("--since=yesterday", "Invalid configuration: --since='yesterday' is not an ISO-8601 time");
    assertBad("--limit=0", "Invalid configuration: --limit='0' must be between 1 and ");
    assertBad("--limit=ten", "Invalid configuration: --limit='ten' is not a whole number");
    assertBad("--partition=-1", "Invalid configuration: --partition='-1' must be between 0 and ");
    assertBad("--dry-run=maybe", "Invalid configuration: --dry-run='maybe' takes no value");
    assertBad("--until=2026-01-01", "Invalid configuration: --until='2026-01-01' is not after --since",
        "--since=2026-02-01");
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(Map.of(), new String[] {"--roles=replay-dlq,pipeline"}));
    assertEquals("Invalid configuration: ROLES='replay-dlq,pipeline' combines replay-dlq with other roles; "
        + "replay-dlq runs alone", e.getMessage());
  }

  @Test
  void theLiveFeedPortCanBeTurnedOff() {
    assertEquals(7000, ConfigLoader.fromMap(Map.of()).dashboard().liveFeed().tcpPort());
    assertEquals("127.0.0.1", ConfigLoader.fromMap(Map.of()).dashboard().liveFeed().host());
    assertFalse(ConfigLoader.fromMap(Map.of("EVENTBUS_TCP_PORT", "0")).dashboard().liveFeed().enabled());
    assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(Map.of("EVENTBUS_TCP_PORT", "-1")));
    assertEquals("0.0.0.0", ConfigLoader.fromMap(Map.of("DASHBOARD_HOST", "0.0.0.0")).dashboard().liveFeed().host());
  }

  private static void assertBad(String flag, String start, String... more) {
    String[] args = new String[2 + more.length];
    args[0] = "--roles=replay-dlq";
    args[1] = flag;
    System.arraycopy(more, 0, args, 2, more.length);
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of(), args));
    assertTrue(e.getMessage().startsWith(start), e.getMessage());
  }
}
