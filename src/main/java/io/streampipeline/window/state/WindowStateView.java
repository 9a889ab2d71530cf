package io.streampipeline.window.state;

import io.streampipeline.window.DedupRing;
import io.streampipeline.window.OpenWindow;
import io.streampipeline.window.Session;
import java.util.List;
import java.util.function.Consumer;

/** What the codecs read of one partition's window state to write it: the whole of it, read-only. */
public interface WindowStateView {
  int partition();

  long maxTimestamp();

  long watermark();

  /** The open tumbling windows, type by type in the order of {@code WindowDefinitions.TUMBLING}. */
  List<OpenWindow> openWindows();

  int openSessions();

  void forEachOpenSession(Consumer<Session> action);

  /** Sessions split off by an event and not yet emitted. */
  List<Session> splitOff();

  DedupRing dedup();
}
