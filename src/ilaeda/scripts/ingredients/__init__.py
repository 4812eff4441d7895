"""Sacred ingredients, one per concern: environment, demonstrations, expert, reward, rl, policy, bc,
policy_evaluation and logging.
"""
