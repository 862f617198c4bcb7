print("nodeflow")
