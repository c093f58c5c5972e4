"""Training and evaluation of the matching package's models: never imported at run time.

``keyword_training`` and ``discipline_training`` rewrite the shipped models under
``data/models/`` from CSL dev; ``evaluation`` measures them (``huaicai eval``). They need
scikit-learn and the shared data sets, which the running application does not.
"""
