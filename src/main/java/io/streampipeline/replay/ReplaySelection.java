package io.streampipeline.replay;

import io.streampipeline.config.ReplayOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL that picks the dead letters a replay sends, from its {@link ReplayOptions}. Only first entries are
 * candidates (replay_of IS NULL): a row that came back from an earlier replay is a record of that attempt, and
 * replaying its first entry sends the same bytes. Without --again, rows replayed before are left out.
 * Parameters are positional ($1...) in the order of {@link #params()}.
 */
public final class ReplaySelection {
  private final ReplayOptions options;
  private final List<Object> params = new ArrayList<>();
  private final String filter;

  public ReplaySelection(ReplayOptions options) {
    this.options = options;
    StringBuilder where = new StringBuilder("replay_of IS NULL");
    if (options.reasonContains() != null) {
      where.append(" AND strpos(lower(error_reason), lower(").append(param(options.reasonContains())).append(")) > 0");
    }
    if (options.sinceMs() != null) {
      where.append(" AND failed_at >= ").append(param(options.sinceMs()));
    }
    if (options.untilMs() != null) {
      where.append(" AND failed_at < ").append(param(options.untilMs()));
    }
    if (options.partition() != null) {
      where.append(" AND source_partition = ").append(param(options.partition()));
    }
    this.filter = where.toString();
  }

  private String param(Object value) {
    params.add(value);
    return "$" + params.size();
  }

  /** Values of the filter's parameters; the chunk query adds two more ({@link #chunk}). */
  public List<Object> params() {
    return List.copyOf(params);
  }

  private String candidates() {
    return options.again() ? filter : filter + " AND replayed_at IS NULL";
  }

  /** Dry run: count of the rows that would be sent, by reason, most first (honours --limit). */
  public String countByReason() {
    String rows = "SELECT error_reason FROM dead_letter_events WHERE " + candidates() + " ORDER BY id"
        + (options.limit() == ReplayOptions.NO_LIMIT ? "" : " LIMIT " + options.limit());
    return "SELECT error_reason, count(*) AS n FROM (" + rows + ") s GROUP BY error_reason ORDER BY n DESC, "
        + "error_reason";
  }

  /** Rows that match the filters but are left out because they were replayed before (0 with --again). */
  public String countAlreadyReplayed() {
    // With --again nothing is skipped; the filter stays so that the parameters are the same.
    return "SELECT count(*) FROM dead_letter_events WHERE " + filter + " AND replayed_at IS NOT NULL"
        + (options.again() ? " AND false" : "");
  }

  /**
   * The next chunk, after the id given as parameter {@code params().size() + 1}, at most parameter
   * {@code params().size() + 2} rows. Rows are locked until the chunk's transaction ends, and rows another
   * replay holds are skipped, so two replays running at once do not send a row twice.
   */
  public String chunk() {
    int n = params.size();
    return "SELECT id, source_topic, source_partition, source_offset, error_reason, original_payload, "
        + "payload_encoding FROM dead_letter_events WHERE " + candidates() + " AND id > $" + (n + 1)
        + " ORDER BY id LIMIT $" + (n + 2) + " FOR UPDATE SKIP LOCKED";
  }

  /** Marks the rows of a chunk (parameter $1: their ids) as replayed, in the chunk's transaction. */
  public static final String MARK = "UPDATE dead_letter_events SET replayed_at = now(), "
      + "replay_count = replay_count + 1 WHERE id = ANY($1)";
}
