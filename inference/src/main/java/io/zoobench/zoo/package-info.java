/**
 * Zoo manifests: YAML files listing models ({@link io.zoobench.zoo.ModelSpec}) with how to feed
 * them, how to read their outputs and their published reference figures, checked field by field
 * by {@link io.zoobench.zoo.ZooManifest}.
 */
package io.zoobench.zoo;
