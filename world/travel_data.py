"""Static material for hotels, car rentals and excursions: name patterns, price levels, and a few
well-known excursions per city so offers read like a real travel shop's."""

from __future__ import annotations

# Price level of a city relative to an average European one.
CITY_COST: dict[str, float] = {
    "Zurich": 1.5, "Geneva": 1.5, "Basel": 1.3, "London": 1.45, "Paris": 1.35,
    "Frankfurt": 1.1, "Amsterdam": 1.3, "Barcelona": 1.0, "Rome": 1.05, "Vienna": 1.05,
    "Munich": 1.15, "Madrid": 0.95, "Lisbon": 0.85, "Copenhagen": 1.3, "Stockholm": 1.2,
    "Oslo": 1.35, "Dublin": 1.25, "Brussels": 1.05, "Prague": 0.75, "Budapest": 0.7,
    "Warsaw": 0.7, "Athens": 0.85, "Istanbul": 0.75, "Nice": 1.2, "Milan": 1.15,
    "Hamburg": 1.05, "Berlin": 1.0, "Edinburgh": 1.1, "Manchester": 0.95,
    "Palma de Mallorca": 1.0, "New York": 1.6, "Boston": 1.45, "Chicago": 1.3, "Dubai": 1.3,
    "Singapore": 1.45,
}  # fmt: skip

# (name pattern, stars)
HOTEL_PATTERNS: tuple[tuple[str, int], ...] = (
    ("Grand Hotel {city}", 5),
    ("{city} Palace Hotel", 5),
    ("Hotel Bellevue {city}", 4),
    ("The {city} Central", 4),
    ("{city} Riverside Hotel", 4),
    ("Parkview Suites {city}", 4),
    ("Hotel Continental {city}", 3),
    ("{city} Old Town Inn", 3),
    ("Station Hotel {city}", 3),
    ("Alpine Lodge {city}", 3),
    ("{city} Airport Hotel", 3),
    ("Easy Stay {city}", 2),
)
NIGHT_PRICE_BY_STARS: dict[int, int] = {2: 85, 3: 130, 4: 205, 5: 360}

CAR_COMPANIES: tuple[str, ...] = ("Hertz", "Avis", "Europcar", "Sixt", "Enterprise", "Budget")
# (class, models, price per day in an average city)
CAR_CLASSES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("Economy", ("Fiat 500", "VW Polo", "Toyota Yaris"), 45),
    ("Compact", ("VW Golf", "Ford Focus", "Peugeot 308"), 58),
    ("SUV", ("VW Tiguan", "Toyota RAV4", "Hyundai Tucson"), 86),
    ("Premium", ("BMW 5 Series", "Mercedes-Benz E-Class", "Audi A6"), 132),
    ("Van", ("VW Transporter", "Ford Tourneo Custom"), 112),
)

# (name, description, hours, price in an average city); {city} is filled in.
GENERIC_EXCURSIONS: tuple[tuple[str, str, float, int], ...] = (
    ("{city} Old Town Walking Tour",
     "A guided walk through the historic centre of {city} with a local guide.", 2.5, 35),
    ("{city} Food Tasting Tour",
     "Taste local specialities at markets and family-run shops across {city}.", 3.5, 79),
    ("{city} by Bike",
     "Explore the neighbourhoods and parks of {city} on a relaxed guided bike ride.", 3.0, 49),
    ("Museum Highlights of {city}",
     "Skip-the-line entry and a guided tour of the best-known collection in {city}.", 2.0, 45),
    ("{city} Evening Photo Walk",
     "Golden-hour and night views of {city} with tips from a professional photographer.", 2.5, 39),
)  # fmt: skip

FAMOUS_EXCURSIONS: dict[str, tuple[tuple[str, str, float, int], ...]] = {
    "Zurich": (
        ("Lake Zurich Cruise", "A round trip on Lake Zurich with views of the Alps.", 1.5, 32),
        ("Rhine Falls Half-Day Trip", "Europe's largest waterfall with a boat ride to the rock.", 4.5, 89),
        ("Swiss Chocolate Workshop", "Make and taste your own chocolate with a master chocolatier.", 2.0, 95),
    ),
    "Geneva": (
        ("Lake Geneva Cruise", "Cruise past the Jet d'Eau and lakeside villas.", 1.5, 35),
        ("CERN Guided Visit", "See where the web was born and how particles are smashed.", 3.0, 55),
        ("Chamonix Mont-Blanc Day Trip", "Cable car to the Aiguille du Midi at 3,842 m.", 10.0, 189),
    ),
    "London": (
        ("Thames River Cruise", "Westminster to Greenwich by boat, with live commentary.", 2.0, 39),
        ("Tower of London and Crown Jewels", "Beefeater-led tour and the Crown Jewels.", 3.0, 65),
        ("Harry Potter Studio Tour", "Sets, costumes and props of the films, coach included.", 7.0, 129),
    ),
    "Paris": (
        ("Seine Evening Cruise", "The illuminated monuments of Paris from the river.", 1.5, 35),
        ("Louvre Masterpieces Tour", "Mona Lisa, Venus de Milo and more with an art historian.", 2.5, 79),
        ("Versailles Palace Day Trip", "The palace, the Hall of Mirrors and the gardens.", 6.0, 119),
    ),
    "Rome": (
        ("Colosseum and Roman Forum", "Skip-the-line tour of ancient Rome's icons.", 3.0, 69),
        ("Vatican Museums and Sistine Chapel", "Early-entry guided tour.", 3.0, 85),
    ),
    "Barcelona": (
        ("Sagrada Família Guided Tour", "Gaudí's basilica with tower access.", 2.0, 75),
        ("Park Güell and Gràcia Walk", "Mosaics, views and a village inside the city.", 2.5, 45),
    ),
    "Amsterdam": (
        ("Canal Cruise", "The UNESCO canal ring by glass-roofed boat.", 1.25, 25),
        ("Rijksmuseum Highlights", "Rembrandt and Vermeer with a guide.", 2.0, 59),
    ),
    "New York": (
        ("Statue of Liberty and Ellis Island", "Ferry, pedestal access and the immigration museum.", 4.0, 75),
        ("Central Park Bike Tour", "The park's highlights by bike with a local guide.", 2.0, 55),
        ("Top of the Rock Observation Deck", "Manhattan skyline from the 70th floor.", 1.5, 49),
    ),
    "Singapore": (
        ("Gardens by the Bay Night Walk", "Supertree Grove light show and Cloud Forest dome.", 2.5, 45),
        ("Hawker Centre Food Tour", "Chilli crab, laksa and satay with a local foodie.", 3.0, 69),
        ("Night Safari", "Tram ride and trails through the world's first nocturnal zoo.", 4.0, 85),
        ("Sentosa Island Day Pass", "Cable car, beaches and attractions on Sentosa.", 8.0, 95),
    ),
    "Dubai": (
        ("Desert Safari with Dinner", "Dune drive, camel ride and a barbecue under the stars.", 6.0, 99),
        ("Burj Khalifa At the Top", "Observation decks on levels 124 and 125.", 1.5, 59),
    ),
}  # fmt: skip
