resource "aws_sagemaker_notebook_instance" "good" {
  name                   = "good"
  direct_internet_access = "Disabled"
}
