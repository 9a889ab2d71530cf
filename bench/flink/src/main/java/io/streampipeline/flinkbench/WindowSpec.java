package io.streampipeline.flinkbench;

import java.io.Serializable;

/** The window sizes, in milliseconds of event time. Serializable: the window stage's functions carry it. */
record WindowSpec(long minuteMs, long revenueMs, long sessionTimeoutMs, long allowedLatenessMs)
    implements Serializable {
}
