"""The numbers behind clinic.domain.geometry: points and shapes on the viewer's right half.

Read clinic.domain.geometry first: coordinates are normalised (x, y in 0..1, y downward) in a box
twice as tall as wide. Every paired point and shape here is written once on the viewer's right
half (x >= 0.5) and geometry mirrors it onto the patient's side; a midline area is given as its
right half, from a point on the midline down to another point on the midline. Which view a point
or shape is drawn on comes from the catalogues (site.view, muscle.views, area.views), not from here.
Landmarks: chin 0.14, shoulders 0.20, armpit 0.26, elbow 0.38, waist 0.39, wrist 0.51,
crotch 0.535, knee joint 0.70, ankle 0.93, sole 0.985.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

Point = tuple[float, float]
Polygon = tuple[Point, ...]

# ACR pair number -> (x, y), where section 1.2 of the clinical reference places the site.
ACR_SITE_POINTS: Final[Mapping[int, Point]] = MappingProxyType(
    {
        1: (0.530, 0.122),  # occiput (back): a thumb-width off the midline, below the nuchal ridge
        2: (0.528, 0.160),  # low cervical (front): beside the trachea, C5-C7
        3: (0.625, 0.193),  # trapezius (back): midpoint of the upper border
        4: (0.590, 0.216),  # supraspinatus (back): above the scapular spine, near the medial border
        5: (0.548, 0.218),  # second rib (front): just lateral to the second costochondral junction
        6: (0.800, 0.392),  # lateral epicondyle (front): 2 cm distal, outer side of the elbow
        7: (0.600, 0.462),  # gluteal (back): upper outer quadrant of the buttock
        8: (0.668, 0.500),  # greater trochanter (back): just behind the prominence
        9: (0.560, 0.690),  # knee (front): medial fat pad, above the joint line
    }
)

# Control site code -> (x, y); the forehead is on the midline, the others on a limb.
CONTROL_SITE_POINTS: Final[Mapping[str, Point]] = MappingProxyType(
    {
        "CTRL_FOREHEAD": (0.500, 0.048),
        "CTRL_THUMBNAIL": (0.907, 0.553),  # the thumb points away from the body
        "CTRL_FOREARM": (0.820, 0.445),  # palms forward: the volar surface faces the viewer
        "CTRL_THIGH": (0.596, 0.610),
    }
)

# Muscle code -> polygon over the muscle where it is palpated.
MUSCLE_SHAPES: Final[Mapping[str, Polygon]] = MappingProxyType(
    {
        # Head and neck, front.
        "temporalis": (
            (0.546, 0.042),
            (0.560, 0.046),
            (0.570, 0.062),
            (0.572, 0.088),
            (0.558, 0.092),
            (0.548, 0.066),
        ),
        "masseter": (
            (0.540, 0.100),
            (0.566, 0.102),
            (0.560, 0.120),
            (0.548, 0.130),
            (0.538, 0.120),
        ),
        # From behind the ear, across the side of the neck, to the sternum and clavicle.
        "scm_sternal": (
            (0.554, 0.110),
            (0.562, 0.116),
            (0.540, 0.150),
            (0.518, 0.198),
            (0.506, 0.194),
            (0.530, 0.150),
        ),
        "scm_clavicular": (
            (0.550, 0.126),
            (0.541, 0.160),
            (0.552, 0.196),
            (0.536, 0.196),
            (0.534, 0.160),
            (0.544, 0.130),
        ),
        "scalenes": ((0.530, 0.146), (0.541, 0.150), (0.578, 0.188), (0.553, 0.192)),
        # Head and neck, back.
        "splenius_capitis": ((0.505, 0.108), (0.548, 0.104), (0.536, 0.140), (0.510, 0.172)),
        "suboccipitals": ((0.505, 0.114), (0.545, 0.112), (0.540, 0.132), (0.505, 0.136)),
        "levator_scapulae": ((0.523, 0.140), (0.540, 0.142), (0.588, 0.206), (0.572, 0.214)),
        # Shoulder girdle, back.
        "upper_trapezius": (
            (0.512, 0.140),
            (0.538, 0.150),
            (0.584, 0.182),
            (0.680, 0.198),
            (0.690, 0.208),
            (0.600, 0.200),
            (0.512, 0.192),
        ),
        "middle_trapezius": (
            (0.505, 0.205),
            (0.600, 0.208),
            (0.670, 0.214),
            (0.600, 0.242),
            (0.505, 0.252),
        ),
        "lower_trapezius": (
            (0.505, 0.255),
            (0.580, 0.236),
            (0.600, 0.250),
            (0.530, 0.340),
            (0.505, 0.360),
        ),
        "supraspinatus": ((0.575, 0.205), (0.690, 0.205), (0.688, 0.216), (0.578, 0.226)),
        "infraspinatus": (
            (0.578, 0.232),
            (0.685, 0.222),
            (0.664, 0.268),
            (0.620, 0.308),
            (0.592, 0.298),
        ),
        "teres_minor": ((0.662, 0.248), (0.700, 0.238), (0.704, 0.254), (0.666, 0.276)),
        "latissimus_dorsi": (
            (0.600, 0.300),
            (0.664, 0.266),
            (0.664, 0.300),
            (0.652, 0.360),
            (0.625, 0.420),
            (0.530, 0.420),
            (0.530, 0.380),
        ),
        # Chest and axilla, front; subscapularis is reached against the back wall of the armpit.
        "subscapularis": ((0.652, 0.248), (0.676, 0.252), (0.670, 0.282), (0.656, 0.286)),
        "pectoralis_major": (
            (0.505, 0.202),
            (0.600, 0.196),
            (0.690, 0.214),
            (0.700, 0.246),
            (0.660, 0.280),
            (0.580, 0.300),
            (0.505, 0.290),
        ),
        "serratus_anterior": ((0.638, 0.282), (0.662, 0.278), (0.656, 0.340), (0.638, 0.350)),
        # Low back.
        "quadratus_lumborum": ((0.540, 0.370), (0.600, 0.375), (0.610, 0.430), (0.545, 0.430)),
        "iliocostalis_lumborum": ((0.525, 0.350), (0.552, 0.350), (0.556, 0.450), (0.530, 0.450)),
        "lumbar_multifidus": ((0.505, 0.380), (0.522, 0.380), (0.522, 0.470), (0.505, 0.470)),
        # Hip.
        "gluteus_maximus": (
            (0.505, 0.452),
            (0.600, 0.446),
            (0.662, 0.478),
            (0.660, 0.522),
            (0.600, 0.542),
            (0.515, 0.532),
        ),
        "gluteus_medius": (
            (0.560, 0.422),
            (0.640, 0.422),
            (0.668, 0.450),
            (0.664, 0.474),
            (0.600, 0.456),
        ),
        "gluteus_minimus": ((0.632, 0.440), (0.666, 0.446), (0.680, 0.480), (0.650, 0.474)),
        "piriformis": (
            (0.522, 0.470),
            (0.560, 0.466),
            (0.664, 0.488),
            (0.660, 0.500),
            (0.560, 0.490),
            (0.522, 0.490),
        ),
        # Thigh and leg.
        "rectus_femoris": (
            (0.570, 0.545),
            (0.630, 0.545),
            (0.625, 0.620),
            (0.600, 0.675),
            (0.578, 0.675),
            (0.566, 0.620),
        ),
        "vastus_medialis": (
            (0.536, 0.630),
            (0.563, 0.640),
            (0.575, 0.680),
            (0.560, 0.700),
            (0.543, 0.690),
        ),
        "biceps_femoris": (
            (0.580, 0.550),
            (0.640, 0.550),
            (0.646, 0.620),
            (0.622, 0.688),
            (0.596, 0.688),
            (0.584, 0.620),
        ),
        "gastrocnemius": (
            (0.550, 0.725),
            (0.636, 0.725),
            (0.640, 0.780),
            (0.610, 0.830),
            (0.565, 0.830),
            (0.545, 0.780),
        ),
        "soleus": ((0.552, 0.800), (0.630, 0.800), (0.610, 0.878), (0.575, 0.900), (0.555, 0.880)),
        "tibialis_anterior": (
            (0.590, 0.730),
            (0.625, 0.730),
            (0.625, 0.800),
            (0.600, 0.880),
            (0.586, 0.880),
        ),
    }
)


def _box(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


# Body-area code -> the polygon shaded on each of the area's views; midline areas: right halves.
AREA_SHAPES: Final[Mapping[str, Polygon]] = MappingProxyType(
    {
        # Head and neck.
        "vertex": ((0.500, 0.024), (0.526, 0.028), (0.548, 0.040), (0.500, 0.044)),
        "occiput": ((0.505, 0.085), (0.560, 0.080), (0.566, 0.110), (0.545, 0.128), (0.505, 0.128)),
        "temple": ((0.552, 0.052), (0.564, 0.056), (0.572, 0.085), (0.558, 0.088)),
        "forehead": ((0.503, 0.034), (0.545, 0.040), (0.556, 0.060), (0.503, 0.062)),
        "orbit": _box(0.510, 0.064, 0.550, 0.082),
        "cheek": ((0.522, 0.090), (0.562, 0.090), (0.556, 0.110), (0.527, 0.110)),
        "upper_teeth": _box(0.503, 0.108, 0.530, 0.116),
        "lower_teeth": _box(0.503, 0.119, 0.530, 0.127),
        "jaw": ((0.545, 0.112), (0.566, 0.113), (0.550, 0.128), (0.532, 0.138)),
        "tmj": _box(0.565, 0.092, 0.576, 0.102),
        "ear": ((0.580, 0.082), (0.587, 0.086), (0.586, 0.097), (0.580, 0.104)),
        "mastoid": ((0.558, 0.098), (0.576, 0.100), (0.568, 0.114), (0.556, 0.118)),
        "throat": ((0.500, 0.140), (0.524, 0.140), (0.526, 0.176), (0.500, 0.178)),
        "posterolateral_neck": ((0.516, 0.134), (0.540, 0.138), (0.540, 0.170), (0.520, 0.174)),
        "neck_angle": ((0.540, 0.160), (0.572, 0.178), (0.585, 0.192), (0.546, 0.192)),
        # Trunk, front.
        "sternum": ((0.500, 0.196), (0.514, 0.196), (0.514, 0.298), (0.500, 0.310)),
        "anterior_chest": (
            (0.520, 0.204),
            (0.620, 0.204),
            (0.655, 0.250),
            (0.640, 0.300),
            (0.520, 0.300),
        ),
        "lateral_chest": ((0.645, 0.272), (0.668, 0.272), (0.656, 0.350), (0.640, 0.350)),
        "lower_abdomen": ((0.505, 0.410), (0.610, 0.410), (0.628, 0.460), (0.505, 0.480)),
        "groin": ((0.600, 0.472), (0.652, 0.476), (0.586, 0.528), (0.556, 0.520)),
        # Trunk, back.
        "suprascapular": ((0.560, 0.196), (0.680, 0.200), (0.688, 0.212), (0.570, 0.222)),
        "scapula": ((0.572, 0.226), (0.685, 0.220), (0.668, 0.270), (0.616, 0.310), (0.586, 0.296)),
        "interscapular": _box(0.506, 0.210, 0.566, 0.300),
        "medial_scapular_border": ((0.566, 0.215), (0.578, 0.215), (0.598, 0.300), (0.586, 0.305)),
        "inferior_scapular_angle": ((0.596, 0.296), (0.626, 0.296), (0.620, 0.322), (0.602, 0.324)),
        "low_back": ((0.505, 0.370), (0.600, 0.370), (0.615, 0.430), (0.505, 0.440)),
        "iliac_crest": (
            (0.550, 0.430),
            (0.620, 0.425),
            (0.658, 0.436),
            (0.656, 0.448),
            (0.620, 0.440),
            (0.550, 0.445),
        ),
        "sacroiliac": _box(0.524, 0.446, 0.546, 0.482),
        "sacrum": ((0.500, 0.440), (0.520, 0.440), (0.514, 0.490), (0.500, 0.500)),
        "coccyx": ((0.500, 0.500), (0.508, 0.500), (0.500, 0.516)),
        # Upper limb. Palms face forward, so the radial (thumb) side is the outer one.
        "shoulder_top": (
            (0.620, 0.194),
            (0.680, 0.200),
            (0.712, 0.208),
            (0.700, 0.215),
            (0.620, 0.204),
        ),
        "anterior_shoulder": (
            (0.680, 0.212),
            (0.726, 0.216),
            (0.740, 0.250),
            (0.702, 0.262),
            (0.682, 0.242),
        ),
        "posterior_shoulder": (
            (0.680, 0.212),
            (0.726, 0.216),
            (0.740, 0.250),
            (0.702, 0.262),
            (0.682, 0.242),
        ),
        "deltoid": ((0.712, 0.208), (0.736, 0.226), (0.752, 0.270), (0.736, 0.290), (0.720, 0.260)),
        "lateral_arm": ((0.742, 0.272), (0.760, 0.272), (0.803, 0.368), (0.786, 0.372)),
        "medial_arm": ((0.712, 0.285), (0.728, 0.285), (0.776, 0.372), (0.762, 0.374)),
        "posterior_arm": ((0.706, 0.272), (0.756, 0.268), (0.798, 0.362), (0.762, 0.372)),
        "lateral_elbow": ((0.790, 0.364), (0.804, 0.370), (0.816, 0.398), (0.798, 0.402)),
        "radial_forearm": ((0.800, 0.404), (0.818, 0.404), (0.864, 0.496), (0.846, 0.498)),
        "ulnar_forearm": ((0.778, 0.404), (0.798, 0.404), (0.844, 0.498), (0.822, 0.500)),
        "wrist": ((0.820, 0.492), (0.862, 0.492), (0.872, 0.512), (0.826, 0.512)),
        "hand": (
            (0.830, 0.520),
            (0.880, 0.520),
            (0.894, 0.578),
            (0.896, 0.600),
            (0.866, 0.606),
            (0.844, 0.574),
        ),
        "ulnar_fingers": ((0.846, 0.576), (0.866, 0.582), (0.868, 0.606), (0.852, 0.594)),
        # Lower limb.
        "buttock": (
            (0.505, 0.440),
            (0.620, 0.440),
            (0.676, 0.470),
            (0.670, 0.525),
            (0.600, 0.545),
            (0.510, 0.535),
        ),
        "greater_trochanter": _box(0.662, 0.486, 0.684, 0.514),
        "lateral_thigh": ((0.654, 0.522), (0.682, 0.534), (0.648, 0.668), (0.630, 0.668)),
        "posterior_thigh": ((0.540, 0.550), (0.660, 0.550), (0.632, 0.680), (0.552, 0.680)),
        "anterior_thigh": ((0.540, 0.540), (0.664, 0.540), (0.636, 0.670), (0.556, 0.670)),
        "patella": _box(0.570, 0.680, 0.612, 0.715),
        "medial_knee": _box(0.543, 0.682, 0.564, 0.722),
        "posterior_knee": _box(0.556, 0.690, 0.626, 0.724),
        "calf": ((0.550, 0.730), (0.636, 0.730), (0.620, 0.848), (0.560, 0.850)),
        "lateral_leg": ((0.622, 0.732), (0.640, 0.732), (0.604, 0.892), (0.596, 0.896)),
        "anterior_shin": ((0.566, 0.730), (0.615, 0.730), (0.595, 0.910), (0.560, 0.910)),
        "ankle": _box(0.550, 0.916, 0.598, 0.944),
        "heel": ((0.554, 0.956), (0.600, 0.956), (0.598, 0.978), (0.560, 0.978)),
        "instep": _box(0.552, 0.948, 0.600, 0.964),
        "toes": ((0.553, 0.968), (0.604, 0.968), (0.596, 0.981), (0.564, 0.981)),
    }
)
