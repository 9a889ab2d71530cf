/**
 * The stored form of the window state (docs/design.md#window-state-storage): the snapshot and delta codecs and
 * their byte primitives, the field description they follow ({@link io.streampipeline.window.state.StoredFields},
 * filled in by {@code window.WindowFields}), the record of what changed since the last state write
 * ({@link io.streampipeline.window.state.WindowChanges}) and the full-or-delta rule
 * ({@link io.streampipeline.window.state.StateWriter}). The codecs read the state through
 * {@link io.streampipeline.window.state.WindowStateView} and return what they decode as plain records; the window
 * package applies them.
 */
package io.streampipeline.window.state;
