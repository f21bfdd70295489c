"""`create_model`: the one way to get "this model with these weights" (as timm's create_model)."""
from lite.models.registry import get_model
from lite.models.weights import WeightsSource, build_weighted_network, weights_source


def create_model(name, weights=None):
    """The named network in eval mode. `weights`: None (synthetic, seeded per model), a folder of
    PaddleClas `<Name>_pretrained.pdparams` files, or a WeightsSource. Imports Paddle."""
    spec = get_model(name)
    source = weights if isinstance(weights, WeightsSource) else weights_source(spec, weights)
    return build_weighted_network(spec, source)
