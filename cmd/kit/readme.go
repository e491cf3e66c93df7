package main

func readme() string { return "" }
