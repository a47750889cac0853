"""Network builders for each backbone family (internal).

Each module exposes ``trunk_builder(...)``, returning a function that builds the
network on a Keras tensor and returns it as a functional model whose layer
names the registry's pyramid taps refer to.
"""
