"""feasibility: can a transformer do your multi-step retrieval task, how deep must it be, and what does it cost?"""

__version__ = "0.5.0"
