"""Backbones and task models for financial images.

Example:
>>> from finvision import models
>>> models.list_backbones("resnet1*")
['resnet101', 'resnet101_v2', 'resnet152', 'resnet152_v2', 'resnet18']
"""

from finvision.documents.alphabets import ALPHABETS, encode_texts
from finvision.documents.mrz import (
    MRZ_ALPHABET,
    MRZ_FORMATS,
    ParsedMRZ,
    compose_mrz,
    mrz_check_digit,
    parse_mrz,
)
from finvision.models.backbone import Backbone
from finvision.models.classifier import ImageClassifier
from finvision.models.factory import create_backbone
from finvision.models.frames import FramePositionEncoding, PerFrame
from finvision.models.operating_threshold import OperatingThreshold, get_operating_threshold
from finvision.models.page_reading import PageReading, read_micr, read_mrz
from finvision.models.presets import (
    Preset,
    load_preset,
    preset_digest,
    read_preset,
    save_preset,
)
from finvision.models.registry import (
    Architecture,
    BackboneSpec,
    Preprocessing,
    WeightsFile,
    get_backbone_spec,
    list_backbones,
    register_backbone,
)
from finvision.models.sequence import TEMPORAL_LAYERS, SequenceClassifier
from finvision.models.tamper import TamperSegmenter
from finvision.models.task import Task
from finvision.models.text_recognition import TextLineRecognizer, line_backbone
from finvision.models.verification import SiameseVerifier
from finvision.models.weights import adapt_input_kernel
from finvision.models.zone_locator import TextZoneLocator

__all__ = [
    "ALPHABETS",
    "Architecture",
    "MRZ_ALPHABET",
    "MRZ_FORMATS",
    "TEMPORAL_LAYERS",
    "Backbone",
    "BackboneSpec",
    "FramePositionEncoding",
    "ImageClassifier",
    "OperatingThreshold",
    "PageReading",
    "ParsedMRZ",
    "PerFrame",
    "Preprocessing",
    "Preset",
    "SequenceClassifier",
    "SiameseVerifier",
    "TamperSegmenter",
    "TextZoneLocator",
    "Task",
    "TextLineRecognizer",
    "WeightsFile",
    "adapt_input_kernel",
    "compose_mrz",
    "create_backbone",
    "encode_texts",
    "get_backbone_spec",
    "get_operating_threshold",
    "line_backbone",
    "list_backbones",
    "load_preset",
    "mrz_check_digit",
    "parse_mrz",
    "preset_digest",
    "read_micr",
    "read_mrz",
    "read_preset",
    "register_backbone",
    "save_preset",
]
