"""What the network adapters share: the interface and the helpers of API families."""
