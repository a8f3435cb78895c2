"""chuyi: track Hunan's Chuyi (楚怡) vocational-education notice against its 2030 deadline."""

__version__ = "0.1.0"
