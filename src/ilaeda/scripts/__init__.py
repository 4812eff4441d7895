"""Sacred experiments (train_adversarial, train_imitation, eval_policy, analyze), their configs and ingredients."""
