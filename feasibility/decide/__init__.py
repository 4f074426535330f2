"""The decision, from results alone: the recommended depth with its evidence, alternatives, risks and questions
(recommend.py). Trains and measures nothing; imports the result types and the cost stage's arithmetic.
"""
