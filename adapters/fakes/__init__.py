"""In-memory, stateful fakes of every port: they record what happened for tests and demos."""
