package io.streampipeline.generator;

/**
 * A product of the generated catalogue. priceCents is boxed once here rather than on every event that carries it.
 */
record ShopProduct(int index, String id, int category, Long priceCents, String url) {
}
