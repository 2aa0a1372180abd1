zone,slice
DE,0
