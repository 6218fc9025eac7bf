"""siting: plan community elderly-care facilities (社区养老服务设施) for Chinese counties and cities.

Data flows one way through the modules:

inputs → network → snapping → reachability / service_areas → profiles / compliance →
optimize → scenario → maps / report
"""

from siting.errors import SitingInputError

__version__ = "0.1.0"
__all__ = ["SitingInputError", "__version__"]
