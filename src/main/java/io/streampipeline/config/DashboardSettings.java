package io.streampipeline.config;

/**
 * The dashboard role: its port, who may reach it and how ({@link DashboardAccess}), and the live feed over TCP
 * on the same host. Built by {@link DashboardReader}.
 */
public record DashboardSettings(int port, DashboardAccess access, PipelineConfig.LiveFeed liveFeed) {
}
