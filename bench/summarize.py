print("summary todo")
