"""Task models rebuild from their config with the trainable state they were saved with."""

from finvision import models, transfer


def classifier():
    return models.ImageClassifier(models.create_backbone("resnet18", input_shape=(32, 32, 3)), 2)


def trainable_paths(model):
    return sorted(variable.path for variable in model.trainable_variables)


def test_partly_frozen_backbone_stays_partly_frozen():
    # Keras' functional constructor sets `trainable` on every sublayer on some
    # backends (JAX); passed through, it would unfreeze the saved frozen layers.
    model = classifier()
    transfer.unfreeze(model, "P5")
    clone = models.ImageClassifier.from_config(model.get_config())
    assert trainable_paths(clone) == trainable_paths(model)
    assert "conv5_block2_2_conv/kernel" in trainable_paths(clone)
    assert "conv1_conv/kernel" not in trainable_paths(clone)


def test_frozen_model_stays_frozen():
    model = classifier()
    model.trainable = False
    clone = models.ImageClassifier.from_config(model.get_config())
    assert not clone.trainable
    assert clone.trainable_variables == []
