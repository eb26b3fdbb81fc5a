from_tfvars = "from-tfvars"
from_auto   = "from-tfvars"
size        = "10"
settings    = { name = "n" }
