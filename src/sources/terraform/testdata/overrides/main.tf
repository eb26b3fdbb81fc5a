resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "nb"
  direct_internet_access = "Enabled"
  instance_type          = "ml.t3.medium"
}
