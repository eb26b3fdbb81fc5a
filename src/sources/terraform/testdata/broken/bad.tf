resource "aws_sagemaker_notebook_instance" "bad" {
  name = "bad"
  direct_internet_access = = "Enabled"
}
